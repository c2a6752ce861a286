"""Assessment items: the model, the bank's loader and validation, blueprints and form assembly."""
