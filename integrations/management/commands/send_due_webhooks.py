"""Send the webhook deliveries that are due: retries when the task backend can't wait (immediate), and
anything a stopped worker left. Safe to run often, e.g. every minute from cron, on any server."""

from django.core.management.base import BaseCommand

from integrations.webhooks import send_due


class Command(BaseCommand):
    help = "Send the webhook deliveries that are due (retries, and anything a stopped worker left)."

    def handle(self, *args, **options):
        tried = send_due()
        self.stdout.write(f"Webhook deliveries tried: {tried}.")
