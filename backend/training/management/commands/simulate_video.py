"""manage.py simulate_video [options]: the video simulator (generated videos, simulated annotators
making masklets with SAM 2 in the loop, rounds of annotate -> retrain -> gate), as
`python -m training simulate-video`."""

import sys

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the video data-engine simulator; options as `python -m training simulate-video --help`."

    def add_arguments(self, parser):
        parser.add_argument("options", nargs="*", help="passed to `python -m training simulate-video` (after --)")

    def handle(self, *args, **options):
        from training.__main__ import main

        code = main(["simulate-video", *options["options"]])
        if code:
            raise CommandError(f"the video simulator exited with {code}")
        sys.stdout.flush()
