"""Write a local .env for development, once: DEBUG on and a random secret key.

`make run` and `make test` call this; an existing .env is left alone, so a
developer's own settings survive. Production never uses this file.
"""

import secrets
import sys
from pathlib import Path

path = Path(sys.argv[1] if len(sys.argv) > 1 else ".env")
if not path.exists():
    path.write_text(
        "# Local development settings, written by `make`. Not for production; see README.\n"
        "DJANGO_DEBUG=1\n"
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n"
    )
    print(f"Wrote {path} for local development (DEBUG on, random secret key).")
