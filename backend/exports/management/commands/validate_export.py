"""manage.py validate_export PATH --format sav [--sav SAV_EXPORT]: check an export against its official
format (docs/formats.md) and print every problem; exit status 1 when there is one."""

from django.core.management.base import BaseCommand, CommandError

from engine.formats.validation import FORMATS, validate_export


class Command(BaseCommand):
    help = "Check an export (file, tar or folder) against its format: schema, value types, cross-references."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the exported file, tar archive or unpacked folder")
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument(
            "--sav", help="for plm-fgqa and plm-stc: the project's SA-V export, to check videos and masklet ids"
        )

    def handle(self, *args, **options):
        if options["sav"] and options["format"] not in ("plm-fgqa", "plm-stc"):
            raise CommandError("--sav is for plm-fgqa and plm-stc exports")
        report = validate_export(options["path"], options["format"], sav=options["sav"])
        lines = report.lines()
        if not report.ok:
            self.stdout.write("\n".join(lines[1:]))
            raise CommandError(lines[0])
        self.stdout.write(lines[0])
