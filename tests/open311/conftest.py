"""The incidents fixtures (places, departments, users), shared."""

from tests.incidents.conftest import *  # noqa: F403
