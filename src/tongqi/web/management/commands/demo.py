"""``tongqi demo [--port P]``: migrate, seed the demo data if empty, print the logins, serve.

Serves with gunicorn (a production server, not runserver) and runs the background worker beside
it, so the demo behaves like a deployment on one machine with SQLite.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tongqi.web.seeding import DEMO_PASSWORD, demo_logins, seed_demo


class Command(BaseCommand):
    help = "Set up and run the demo: migrate, seed, serve on 127.0.0.1:PORT with the worker."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-serve", action="store_true", help="set up and seed, then exit")

    def handle(self, *args, port=8000, host="127.0.0.1", workers=2, no_serve=False, **opts):
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
        self.stdout.write(f"TongQi demo — data in {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        ctx = seed_demo()
        self.stdout.write("demo data seeded" if ctx else "demo data already present (not changed)")
        self._print_logins()
        if no_serve:
            return
        self._serve(host, port, workers)

    def _print_logins(self):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        w = self.stdout.write
        w("")
        w(f"Demo logins (password for all: {DEMO_PASSWORD})")
        for role, username, note in demo_logins():
            w(f"  {str(role):<22} {username:<20} {note}")
        for device in TOTPDevice.objects.filter(name="demo").select_related("user"):
            key = base64.b32encode(device.bin_key).decode()
            w(
                f"  second factor for {device.user.username}: TOTP key {key} "
                f"(any authenticator app, or: tongqi demo_otp {device.user.username})"
            )
        w("")

    def _serve(self, host, port, workers):
        from gunicorn.app.base import BaseApplication

        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "tongqi.settings"),
        }
        worker = subprocess.Popen([sys.executable, "-m", "tongqi", "worker"], env=env)

        class Server(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", f"{host}:{port}")
                self.cfg.set("workers", workers)
                self.cfg.set("threads", 4)
                self.cfg.set("timeout", 60)
                self.cfg.set("accesslog", "-")
                self.cfg.set("proc_name", "tongqi-demo")

            def load(self):
                from tongqi.wsgi import application

                return application

        self.stdout.write(f"Open http://{host}:{port}/  (Ctrl+C to stop)")
        try:
            Server().run()
        finally:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
