"""``tongqi demo_otp USER``: print the current TOTP code of a demo account (not in production)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo account (refused in production)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if settings.ENV.production:
            raise CommandError("demo_otp is not available when TONGQI_ENV=production")
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user__username=username, name="demo").first()
        if device is None:
            raise CommandError(f"{username} has no demo second-factor device")
        self.stdout.write(
            f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
        )
