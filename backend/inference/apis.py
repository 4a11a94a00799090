"""POST /api/images/{id}/predict/ (clicks, box, previous logits -> candidate masks) and the fully
automatic stage's batch job."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.core.errors import InvalidInput
from backend.idempotency.decorators import idempotent
from backend.inference.automatic import auto_annotate_schedule
from backend.inference.models import Embedding
from backend.inference.predict import predict
from backend.inference.runtime import embedding_cache, learned_model_missing, model_status, serving_decoder
from backend.inference.selectors import embedding_for
from backend.inference.serializers import (
    AmgSettingsSerializer,
    EmbeddingPendingSerializer,
    PredictInputSerializer,
    PredictResultSerializer,
)
from backend.inference.services import embedding_load, embedding_schedule
from backend.jobs.serializers import JobSerializer
from backend.media.selectors import image_get_for
from backend.projects.models import Project
from backend.projects.policy import require
from backend.projects.selectors import project_get


class PredictApi(APIView):
    @extend_schema(
        request=PredictInputSerializer, responses={200: PredictResultSerializer, 202: EmbeddingPendingSerializer}
    )
    def post(self, request, image_id: int):
        image = image_get_for(user=request.user, image_id=image_id, action="annotate")
        data = PredictInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        loaded = serving_decoder(image.project)
        model = model_status(loaded)
        features = embedding_cache.get((image.sha256, loaded.version))  # held: no database read needed
        if features is None:
            embedding = embedding_for(image, loaded.version)
            if embedding is None or embedding.status != Embedding.Status.READY:
                # Never block a web worker on the encoder: say so, and let the client poll the job.
                if embedding is None or embedding.status == Embedding.Status.FAILED:
                    embedding = embedding_schedule(image=image, user=request.user, model_version=loaded.version)
                job = JobSerializer(embedding.job).data if embedding.job else None
                return Response(
                    {"status": "embedding_pending", "job": job, "model": model}, status=status.HTTP_202_ACCEPTED
                )
            features = embedding_load(embedding)
        values = data.validated_data
        result = predict(
            image=image,
            loaded=loaded,
            features=features,
            points=values["points"],
            labels=values["labels"],
            box=values["box"],
            logits_token=values["logits_token"],
            multimask=values["multimask"],
        )
        if hasattr(request, "server_timing"):
            request.server_timing["decode"] = result.decode_cpu_ms
        return Response(
            {
                "masks": result.masks,
                "logits_token": result.best_token,
                "logits_token_expired": result.token_expired,
                "model": model,
                "decode_ms": round(result.decode_ms, 2),
            }
        )


class AutoAnnotateApi(APIView):
    """POST /api/projects/{id}/auto-annotate/: the fully automatic stage's batch job over every image
    (gpu queue, progress, cancel with /api/jobs/{id}/cancel/, resumable after a worker dies)."""

    @extend_schema(request=AmgSettingsSerializer, responses={202: JobSerializer})
    @idempotent
    def post(self, request, project_id: int):
        project = project_get(user=request.user, project_id=project_id)
        require(request.user, "project", "manage", project)
        if project.kind != Project.Kind.IMAGE:
            raise InvalidInput("automatic masks are for image projects")
        missing = learned_model_missing(project)
        if missing:
            raise InvalidInput(f"Automatic annotation: {missing}")
        data = AmgSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = auto_annotate_schedule(project, request.user, dict(data.validated_data))
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
