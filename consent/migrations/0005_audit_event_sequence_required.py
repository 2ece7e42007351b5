"""Every audit event now has its place in the chain: make the sequence required and unique.

Separate from 0004 so PostgreSQL alters the table in a transaction with no row
updates pending.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0004_audit_event_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, help_text="Place in the audit chain.", unique=True),
        ),
    ]
