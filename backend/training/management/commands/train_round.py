"""manage.py train_round --project NAME [--steps N]: run a retraining round here, with a progress bar."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from backend.jobs.heartbeat import beating
from backend.jobs.models import Job
from backend.jobs.services import job_run
from backend.projects.selectors import project_by_name
from backend.training.services import RoundRunning, round_start


class Command(BaseCommand):
    help = "Run one retraining round of a project in this process (the same code the train queue runs)."

    def add_arguments(self, parser):
        parser.add_argument("--project", required=True)
        parser.add_argument("--steps", type=int)
        parser.add_argument("--trainable", choices=["decoder", "decoder+prompt", "all"])

    def handle(self, *args, **options):
        # The runner imports torch and the training package; other commands need not load them.
        from backend.training.runner import round_run

        project = project_by_name(options["project"])
        if project is None:
            raise CommandError(f"no project named {options['project']!r}")
        config = {k: options[k] for k in ("steps", "trainable") if options.get(k)}
        try:
            training_round = round_start(project=project, config=config, enqueue=False)
        except RoundRunning as exc:
            raise CommandError(str(exc)) from exc
        with tqdm(total=100, desc=f"round {training_round.pk}", unit="%", disable=options["verbosity"] == 0) as bar:

            def advance(fraction: float, message: str) -> None:
                bar.set_postfix_str(message[:40])
                bar.update(int(fraction * 100) - bar.n)

            with beating("train_round") as worker:
                job = job_run(
                    training_round.job_id, lambda running: round_run(training_round, running, advance), worker=worker
                )
        if job is None or job.state != Job.State.SUCCEEDED:
            raise CommandError(f"round failed: {job.message if job else 'not run'}")
        training_round.refresh_from_db()
        self.stdout.write(training_round.log)
