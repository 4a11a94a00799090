from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.core.fields import CharField, ChoiceField, IntegerField
from backend.core.serializers import ModelSerializer
from backend.training.models import ScheduledRun, TrainingSchedule
from backend.training.schedule_clock import PERIOD_SECONDS
from backend.training.schedule_selectors import schedule_clock, schedule_last_run, schedule_next_run
from backend.training.serializers import RoundConfigSerializer


class ScheduledRunSerializer(ModelSerializer):
    round_state = serializers.SerializerMethodField(help_text="the job state of `training_round`, if any")

    class Meta:
        model = ScheduledRun
        fields = [
            "id",
            "schedule",
            "trigger",
            "outcome",
            "training_round",
            "round_state",
            "new_masks",
            "message",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_round_state(self, run: ScheduledRun) -> str | None:
        return run.training_round.job.state if run.training_round is not None else None


class TrainingScheduleSerializer(ModelSerializer):
    every = serializers.SerializerMethodField()
    period = serializers.SerializerMethodField()
    cron = serializers.SerializerMethodField()
    next_run_at = serializers.SerializerMethodField(help_text="when the clock fires next; null: paused or no clock")
    config = RoundConfigSerializer(read_only=True, help_text="the recipe of its rounds")
    last_run = serializers.SerializerMethodField()

    class Meta:
        model = TrainingSchedule
        fields = [
            "id",
            "project",
            "name",
            "every",
            "period",
            "cron",
            "every_masks",
            "min_new_masks",
            "config",
            "paused",
            "next_run_at",
            "last_run",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_every(self, schedule) -> int | None:
        return schedule_clock(schedule).every

    @extend_schema_field(serializers.ChoiceField(choices=list(PERIOD_SECONDS), allow_null=True))
    def get_period(self, schedule) -> str | None:
        return schedule_clock(schedule).period

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_cron(self, schedule) -> str | None:
        return schedule_clock(schedule).cron

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_run_at(self, schedule):
        # Formatted as a DateTimeField does, so a replayed (idempotent) answer is the same text.
        when = schedule_next_run(schedule)
        return None if when is None else serializers.DateTimeField().to_representation(when)

    @extend_schema_field(ScheduledRunSerializer(allow_null=True))
    def get_last_run(self, schedule):
        run = schedule_last_run(schedule)
        return ScheduledRunSerializer(run).data if run is not None else None


class ScheduleWriteSerializer(serializers.Serializer):
    """A schedule: a clock (every + period, or cron), every_masks, or both; the recipe of its rounds."""

    name = CharField(max_length=100, required=False, allow_blank=True)
    every = IntegerField(min_value=1, max_value=100_000, required=False, allow_null=True)
    period = ChoiceField(choices=list(PERIOD_SECONDS), required=False, allow_null=True)
    cron = CharField(
        max_length=100,
        required=False,
        allow_null=True,
        help_text="minute hour day-of-month month day-of-week, in UTC (e.g. '0 3 * * *')",
    )
    every_masks = IntegerField(min_value=1, max_value=1_000_000, required=False, allow_null=True)
    min_new_masks = IntegerField(
        min_value=0, max_value=1_000_000, required=False, help_text="a timed run needs this many new masks (default 1)"
    )
    config = RoundConfigSerializer(required=False, help_text="the recipe of its rounds, as for a round started by hand")
    paused = serializers.BooleanField(required=False)

    def validate(self, attrs):
        """A recipe setting nobody knows is refused, not dropped (a typo would go unnoticed)."""
        raw = self.initial_data.get("config") if isinstance(self.initial_data, dict) else None
        if isinstance(raw, dict):
            unknown = sorted(set(raw) - set(RoundConfigSerializer().fields))
            if unknown:
                raise serializers.ValidationError({"config": f"unknown settings {unknown[:5]}"})
        return attrs
