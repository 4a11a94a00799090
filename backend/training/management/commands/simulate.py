"""manage.py simulate [options]: the engine simulator (generated images, simulated annotators using
the live model, N rounds of annotate -> retrain -> evaluate), as `python -m training simulate`."""

import sys

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the data-engine simulator; options as `python -m training simulate --help`."

    def add_arguments(self, parser):
        parser.add_argument("options", nargs="*", help="passed to `python -m training simulate` (put them after --)")

    def handle(self, *args, **options):
        # The simulator imports torch and the training package; other commands need not load them.
        from training.__main__ import main

        code = main(["simulate", *options["options"]])
        if code:
            raise CommandError(f"the simulator exited with {code}")
        sys.stdout.flush()
