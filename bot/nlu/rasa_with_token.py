"""``rasa run`` with its auth token taken from the environment (``RASA_AUTH_TOKEN``), so that the
token never appears on a command line, which every user of the machine can read.

Run by Rasa's own interpreter (its virtualenv, Python 3.10), as a script: it imports nothing of
the bot.
"""

import os
import sys

from rasa.__main__ import main

if __name__ == "__main__":
    token = os.environ.pop("RASA_AUTH_TOKEN")
    # One argument: a token that starts with "-" must not read as an option.
    sys.argv = ["rasa", *sys.argv[1:], f"--auth-token={token}"]
    main()
