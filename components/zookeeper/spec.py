"""What a ZooKeeper ensemble is made of, checked: `EnsembleSpec`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..config.resources import JvmResources, jvm_resources
from ..config.schema import Labels
from ..naming import Place


@dataclass(frozen=True)
class EnsembleSpec:
    name: str  # the ensemble's StatefulSet and headless Service, and every name derived from it
    kafka_cluster: str  # the Kafka cluster (its name) whose brokers use the ensemble: they alone may connect
    place: Place
    replicas: int
    storage_size: str
    storage_class: str | None
    image: str
    resources: JvmResources
    origin: str = ""  # who rendered the files, for their header comments

    @property
    def connect_string(self) -> str:
        return self.place.zookeeper_connect(self.name, self.replicas)


def ensemble_spec(
    values: dict[str, Any], labels: Labels, problems: list[str], *, name: str, kafka_cluster: str, place: Place, origin: str
) -> EnsembleSpec:
    if values["replicas"] % 2 == 0:
        problems.append(
            f"{labels.full('replicas')} = {values['replicas']}: must be odd (1, 3, 5 or 7); an even ensemble "
            f"survives no more failures than one node fewer and needs a larger majority"
        )
    return EnsembleSpec(
        name=name,
        kafka_cluster=kafka_cluster,
        place=place,
        replicas=values["replicas"],
        storage_size=values["storageSize"],
        storage_class=values["storageClass"],
        image=values["image"],
        resources=jvm_resources(values, labels, problems),
        origin=origin,
    )
