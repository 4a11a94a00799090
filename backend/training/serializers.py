from rest_framework import serializers

from backend.core.fields import CharField, ChoiceField, FloatField, IntegerField
from backend.core.serializers import ModelSerializer
from backend.jobs.serializers import JobSerializer
from backend.training.config import GATE_METRICS, TRAINABLE
from backend.training.models import ModelVersion, TrainingRound


class ModelVersionSerializer(ModelSerializer):
    class Meta:
        model = ModelVersion
        fields = [
            "id",
            "project",
            "spec",
            "version",
            "parent_version",
            "status",
            "metrics",
            "snapshot",
            "created_at",
            "promoted_at",
        ]
        read_only_fields = fields


class TrainingRoundSerializer(ModelSerializer):
    job = JobSerializer(read_only=True)
    candidate = ModelVersionSerializer(read_only=True)

    class Meta:
        model = TrainingRound
        fields = [
            "id",
            "project",
            "trigger",
            "config",
            "job",
            "parent_version",
            "candidate",
            "promoted",
            "masks_used",
            "log",
            "created_at",
        ]
        read_only_fields = fields


class RoundConfigSerializer(serializers.Serializer):
    steps = IntegerField(min_value=1, max_value=1_000_000, required=False)
    trainable = ChoiceField(choices=list(TRAINABLE), required=False)
    lr = FloatField(min_value=1e-8, max_value=1.0, required=False)
    masks_per_step = IntegerField(min_value=1, max_value=64, required=False)
    iterations = IntegerField(min_value=2, max_value=20, required=False)
    mask_only_iterations = IntegerField(min_value=0, max_value=19, required=False)
    box_probability = FloatField(min_value=0, max_value=1, required=False)
    focal_weight = FloatField(min_value=0, max_value=100, required=False)
    dice_weight = FloatField(min_value=0, max_value=100, required=False)
    heldout_percent = IntegerField(min_value=1, max_value=50, required=False)
    seed = IntegerField(min_value=0, max_value=2**32 - 1, required=False)  # numpy's seed range
    gate_metric = ChoiceField(
        choices=list(GATE_METRICS), required=False, help_text="judge the candidate on this (default: the project's)"
    )


class RoundStartSerializer(serializers.Serializer):
    config = RoundConfigSerializer(required=False, default=dict)


class RoundConflictSerializer(serializers.Serializer):
    """409: the project already has a round queued or running."""

    detail = CharField()
    current = TrainingRoundSerializer()


class RollbackSerializer(serializers.Serializer):
    active = ModelVersionSerializer(allow_null=True, help_text="the version serving now; null: the default model")


class SimulationOptionsSerializer(serializers.Serializer):
    """The simulator's settings (python -m training simulate); omitted ones take its defaults."""

    rounds = IntegerField(min_value=1, max_value=20, required=False)
    images_per_round = IntegerField(min_value=1, max_value=200, required=False)
    objects = IntegerField(min_value=1, max_value=6, required=False, help_text="objects per generated scene")
    heldout_images = IntegerField(min_value=1, max_value=100, required=False)
    steps = IntegerField(min_value=1, max_value=100_000, required=False, help_text="training steps per round")
    pretrain_steps = IntegerField(min_value=1, max_value=100_000, required=False)
    pretrain_images = IntegerField(min_value=0, max_value=2000, required=False)
    mae_steps = IntegerField(min_value=0, max_value=100_000, required=False, help_text="0: no MAE pre-pretraining")
    conv_stem = serializers.BooleanField(required=False)
    trainable = ChoiceField(choices=["decoder", "decoder+prompt", "all"], required=False)
    max_clicks = IntegerField(min_value=1, max_value=20, required=False, help_text="clicks per mask at most")
    seed = IntegerField(min_value=0, max_value=2**32 - 1, required=False)


class SimulationStartSerializer(serializers.Serializer):
    options = SimulationOptionsSerializer(required=False, default=dict)


class SimulationSerializer(serializers.Serializer):
    """A simulation is a job (kind "simulation"): its options, progress and, once done, the table
    (result.rounds: round, masks, NoC@90, mIoU@1, clicks_per_mask, seconds_per_mask, promoted)."""

    job = JobSerializer(source="*")
    options = serializers.JSONField(source="params.options", read_only=True)
