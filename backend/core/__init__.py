"""Plain modules every backend app may import (not a Django app): the domain errors services raise
and the API edge turns into JSON answers, and strict parsing of request values."""
