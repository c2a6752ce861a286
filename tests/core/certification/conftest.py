from tests.core.assessment.conftest import make_item  # noqa: F401
from tests.core.standard.conftest import default_standard, references  # noqa: F401
