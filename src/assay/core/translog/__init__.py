"""The transparency log: RFC 6962 Merkle trees and signed tree heads."""
