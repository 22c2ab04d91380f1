"""Every config object of the stack, gathered from the roles that declare their keys (kafka/keys.py,
zookeeper/keys.py, clients/keys.py, security/keys.py, external/keys.py), in the order Pulumi.yaml and the
reference list them. It sits above the roles, as settings.py does."""

from __future__ import annotations

from ..clients.keys import CONSUMER, PRODUCER, TOPIC
from ..external.keys import EXTERNAL
from ..kafka.keys import CONTROLLER, KAFKA
from ..security.keys import SECURITY
from ..zookeeper.keys import ZOOKEEPER
from .keys import TOP_LEVEL, ConfigObject

OBJECTS: dict[str, ConfigObject] = {
    o.name: o for o in (KAFKA, CONTROLLER, ZOOKEEPER, TOPIC, PRODUCER, CONSUMER, SECURITY, EXTERNAL)
}
CONFIG_KEYS = tuple(k.name for k in TOP_LEVEL) + tuple(OBJECTS)
