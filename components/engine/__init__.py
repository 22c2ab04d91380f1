"""Engine glue: the stack program (program.py), what every component shares (base.py), the mock-engine
renderer (mock.py), the kube context check (kubeconfig.py) and the multi-language provider (provider.py)."""
