from rest_framework import serializers


class PointField(serializers.ListField):
    child = serializers.FloatField()

    def __init__(self, **kwargs):
        super().__init__(min_length=2, max_length=2, **kwargs)


class PredictInputSerializer(serializers.Serializer):
    points = serializers.ListField(child=PointField(), required=False, default=list, max_length=200)
    labels = serializers.ListField(child=serializers.IntegerField(), required=False, default=list, max_length=200)
    box = serializers.ListField(
        child=serializers.FloatField(), min_length=4, max_length=4, required=False, allow_null=True, default=None
    )
    logits_token = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=80, default=None)
    multimask = serializers.BooleanField(default=True)

    def validate(self, attrs):
        if len(attrs["points"]) != len(attrs["labels"]):
            raise serializers.ValidationError({"labels": "give one label per point"})
        if not attrs["points"] and attrs["box"] is None:
            raise serializers.ValidationError({"points": "give at least one point or a box"})
        bad = [label for label in attrs["labels"] if label not in (0, 1)]
        if bad:
            raise serializers.ValidationError({"labels": f"labels are 1 (positive) or 0 (negative), got {bad[0]}"})
        return attrs
