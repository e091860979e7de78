"""Model versions over REST, per component (narratives, entities): which are saved, which is active, and
switching the active one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from narrascope.models.versions import COMPONENTS, VersionError, activate, active_dir, list_versions
from narrascope.server.analysis import AnalysisService, Busy
from narrascope.server.deps import get_service

router = APIRouter(prefix="/models", tags=["models"])


class ModelVersion(BaseModel):
    name: str
    path: str
    active: bool
    reviewed_documents: int = Field(description="Reviewed documents it was trained on.")
    command: str | None = None


class ModelVersions(BaseModel):
    component: str
    versions: list[ModelVersion]
    in_use: str | None = Field(description="The model folder this server analyses with (null: the packaged model).")


class Activate(BaseModel):
    version: str = Field(max_length=100)


def _versions(component: str, service: AnalysisService) -> ModelVersions:
    try:
        in_use = service.config.models.get(component) or (str(active_dir(component)) if active_dir(component) else None)
    except VersionError as exc:
        raise HTTPException(409, str(exc)) from None
    return ModelVersions(component=component, versions=[ModelVersion(**v) for v in list_versions(component)],
                         in_use=in_use)


def _add_routes(component: str) -> None:
    """``GET /models/{component}`` and ``PUT /models/{component}/active`` for one component (a route per
    component, so the schema names each)."""

    def list_models(service: Annotated[AnalysisService, Depends(get_service)]) -> ModelVersions:
        return _versions(component, service)

    def activate_model(body: Activate, service: Annotated[AnalysisService, Depends(get_service)]) -> ModelVersions:
        try:
            folder = activate(component, body.version)
            service.use_model(component, str(folder))
        except VersionError as exc:
            raise HTTPException(404, str(exc)) from None
        except Busy as exc:
            raise HTTPException(503, str(exc)) from None
        return _versions(component, service)

    router.get(f"/{component}", response_model=ModelVersions, name=f"{component}_models",
               description=f"Saved {component} model versions, side by side, with the active one marked.")(list_models)
    router.put(f"/{component}/active", response_model=ModelVersions, name=f"activate_{component}_model",
               responses={404: {"description": "No such version"}},
               description=f"Make a saved {component} version the active one; this server analyses with it from the "
                           "next request on.")(activate_model)


for _component in COMPONENTS:
    _add_routes(_component)
