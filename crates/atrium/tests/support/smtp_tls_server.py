"""An SMTP server for the mail delivery tests: aiosmtpd with TLS (STARTTLS or implicit) and
AUTH, storing every message it accepts in a maildir. Prints "ready" once it accepts connections
and runs until killed.

    python3 smtp_tls_server.py PORT MAILDIR CERT KEY starttls|implicit USER PASSWORD
"""

import ssl
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Mailbox
from aiosmtpd.smtp import AuthResult


def main():
    warnings.simplefilter("ignore")
    port, maildir, cert, key, mode, user, password = sys.argv[1:8]
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == user.encode() and auth_data.password == password.encode()
        # handled=False: aiosmtpd answers a failure with 535 itself.
        return AuthResult(success=ok, handled=False)

    options = dict(authenticator=authenticate, auth_required=True)
    if mode == "starttls":
        options.update(tls_context=context, require_starttls=True)
    elif mode == "implicit":
        options.update(ssl_context=context, auth_require_tls=False)
    else:
        raise SystemExit(f"unknown mode {mode}")
    controller = Controller(Mailbox(maildir), hostname="127.0.0.1", port=int(port), **options)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
