"""The ZooKeeper ensemble of ZooKeeper mode: spec (spec.py), zoo.cfg (zoo_cfg.py), Kubernetes objects
(manifests.py) and the `ZookeeperCluster` component (component.py)."""
