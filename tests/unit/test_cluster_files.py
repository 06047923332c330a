"""The cluster files in cluster/ pass Ray's own validators, offline, and agree with the images in
docker/ and the GPU pipelines in pipelines/.

Launcher YAMLs go through the two steps `ray up` takes before it talks to a cloud:
`prepare_config` (merges the provider's defaults.yaml that ships with Ray; no cloud SDK, no
network) and `validate_config` (ray/autoscaler/ray-schema.json through jsonschema, plus Ray's
cross-field checks). KubeRay manifests go through the translation the in-tree autoscaler applies
to a RayCluster (`_derive_autoscaling_config_from_ray_cr`, which ends in `validate_config`).
Neither checks a node type's min_workers <= max_workers nor minReplicas <= maxReplicas (Ray
clamps silently), so `check_launcher` and `check_worker_groups` add that.
"""

from __future__ import annotations

import copy
import json
import math
import re
import shlex
from pathlib import Path

import jsonschema
import pytest
import ray
import yaml
from ray.autoscaler._private.kuberay.autoscaling_config import (
    _derive_autoscaling_config_from_ray_cr,
)
from ray.autoscaler._private.util import prepare_config, validate_config

from synth.config.loading import load_config

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = ROOT / "cluster"
LAUNCHERS = ["aws-gpu.yaml", "gcp-gpu.yaml"]
KUBERAY = ["kuberay-raycluster.yaml", "kuberay-rayjob.yaml"]
# ghcr.io/OWNER/synth-gpu:0.1.0 as shipped; any one registry namespace once OWNER is replaced.
IMAGE = re.compile(r"^(?P<registry>\S+)/synth-(?P<flavor>gpu|cpu):(?P<tag>\S+)$")
IMAGE_HOME = "/home/ray/synth/"  # WORKDIR of both images: the repository root inside them
SUBMISSION_MODES = {"K8sJobMode", "HTTPMode", "InteractiveMode", "SidecarMode"}


def load(name: str) -> dict:
    return yaml.safe_load((CLUSTER / name).read_text())


def synth_version() -> str:
    text = (ROOT / "pyproject.toml").read_text()
    return re.search(r'^version = "([^"]+)"', text, re.MULTILINE).group(1)


def check_launcher(cfg: dict) -> dict:
    """What `ray up` checks offline, plus min <= max per node type; returns the prepared config."""
    prepared = prepare_config(copy.deepcopy(cfg))
    validate_config(prepared)
    for name, node_type in prepared["available_node_types"].items():
        low, high = node_type["min_workers"], node_type["max_workers"]
        if low > high:
            raise ValueError(f"available_node_types.{name}: min_workers {low} > max_workers {high}")
        if high > prepared["max_workers"]:
            raise ValueError(f"available_node_types.{name}: max_workers {high} is above the "
                             f"cluster's max_workers {prepared['max_workers']}")
    return prepared


def ray_cluster_spec(name: str) -> tuple[str, dict]:
    """(cluster name, RayCluster spec) of a RayCluster or of a RayJob's rayClusterSpec."""
    doc = load(name)
    spec = doc["spec"]["rayClusterSpec"] if doc["kind"] == "RayJob" else doc["spec"]
    return doc["metadata"]["name"], spec


def check_worker_groups(spec: dict) -> None:
    """KubeRay's required worker-group fields, and minReplicas <= replicas <= maxReplicas."""
    names = [group["groupName"] for group in spec["workerGroupSpecs"]]
    if len(set(names)) != len(names):
        raise ValueError(f"workerGroupSpecs: duplicate groupName in {names}")
    for group in spec["workerGroupSpecs"]:
        for key in ("minReplicas", "maxReplicas", "template"):
            if key not in group:
                raise ValueError(f"workerGroupSpecs[{group['groupName']}]: {key} missing")
        low, high = group["minReplicas"], group["maxReplicas"]
        if not 0 <= low <= group.get("replicas", low) <= high:
            raise ValueError(f"workerGroupSpecs[{group['groupName']}]: need 0 <= minReplicas "
                             f"{low} <= replicas {group.get('replicas')} <= maxReplicas {high}")
        if group["groupName"].startswith("gpu") and not gpu_limit(group):
            raise ValueError(f"workerGroupSpecs[{group['groupName']}]: no nvidia.com/gpu limit")


def autoscaling_config(cluster_name: str, spec: dict) -> dict:
    """Ray's own reading of a RayCluster spec (what the KubeRay autoscaler works from)."""
    check_worker_groups(spec)
    ray_cr = {"metadata": {"name": cluster_name, "namespace": "default"},
              "spec": copy.deepcopy(spec)}
    return _derive_autoscaling_config_from_ray_cr(ray_cr)


def ray_container(group: dict) -> dict:
    return group["template"]["spec"]["containers"][0]  # KubeRay: the Ray container comes first


def gpu_limit(group: dict) -> int:
    return int(ray_container(group).get("resources", {}).get("limits", {}).get("nvidia.com/gpu", 0))


def launcher_images(cfg: dict) -> dict[str, str]:
    """Node type -> the image it runs, resolved the way the launcher resolves it."""
    docker = cfg["docker"]
    images = {}
    for name, node_type in cfg["available_node_types"].items():
        if name == cfg["head_node_type"]:
            images[name] = docker.get("head_image", docker["image"])
        else:
            own = node_type.get("docker", {})
            images[name] = own.get("worker_image", docker.get("worker_image", docker["image"]))
    return images


def gpu_roles():
    """(pipeline, role, GPUs per replica, max replicas, accelerator type) of each GPU role."""
    for path in sorted((ROOT / "pipelines").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text())
        roles = dict(raw.get("models") or {})
        if isinstance(raw.get("model"), dict):
            roles["model"] = raw["model"]
        for role, model in roles.items():
            if model.get("engine") == "vllm":  # vLLM shards one replica over its parallel GPUs
                parallel = model.get("engine_kwargs") or {}
                gpus = (model.get("tensor_parallel_size") or 1) * parallel.get(
                    "pipeline_parallel_size", 1)
            else:
                gpus = math.ceil(model.get("num_gpus") or 0)
            if gpus:
                replicas = model.get("replicas") or [1, 1]
                yield path.name, role, gpus, replicas[1], model.get("accelerator_type")


def check_capacity(node_types: dict[str, dict]) -> None:
    """Every GPU role of every pipeline fits its max replicas on these node types."""
    for pipeline, role, gpus, max_replicas, accelerator in gpu_roles():
        slots = 0
        for node_type in node_types.values():
            resources = node_type["resources"]
            if accelerator and f"accelerator_type:{accelerator}" not in resources:
                continue
            slots += resources.get("GPU", 0) // gpus * node_type["max_workers"]
        assert slots >= max_replicas, (
            f"{pipeline} models.{role}: {max_replicas} replicas x {gpus} GPU"
            f"{f' ({accelerator})' if accelerator else ''} but the cluster holds {slots}")


# --- cluster launcher -------------------------------------------------------------------------


@pytest.mark.parametrize("name", LAUNCHERS)
def test_launcher_yaml_passes_rays_validator(name):
    prepared = check_launcher(load(name))
    # Our command lists replace Ray's defaults.yaml ones, which pip-install a Ray nightly wheel
    # over the image's Ray 2.60.0.
    assert "ray-wheels" not in json.dumps(prepared)
    assert prepared["idle_timeout_minutes"] > 0


@pytest.mark.parametrize("name", LAUNCHERS)
def test_launcher_node_types_cover_cpu_single_gpu_and_tensor_parallel(name):
    cfg = load(name)
    types = cfg["available_node_types"]
    head = types[cfg["head_node_type"]]
    assert head["resources"].get("CPU") == 0 and not head["resources"].get("GPU")
    workers = {n: t for n, t in types.items() if n != cfg["head_node_type"]}
    assert any(not t["resources"].get("GPU") for t in workers.values()), "no CPU worker type"
    assert any(t["resources"].get("GPU") == 1 for t in workers.values()), "no 1-GPU type"
    assert any(t["resources"].get("GPU") == 8 and "accelerator_type:A100" in t["resources"]
               for t in workers.values()), "no 8x A100 type for tensor-parallel models"
    for node_type in workers.values():
        assert node_type["min_workers"] <= node_type["max_workers"]
        if node_type["resources"].get("GPU"):
            assert node_type["min_workers"] == 0, "GPU nodes start on demand only"


@pytest.mark.parametrize("name", LAUNCHERS)
def test_launcher_holds_every_gpu_pipeline(name):
    check_capacity(check_launcher(load(name))["available_node_types"])


@pytest.mark.parametrize("name", LAUNCHERS)
def test_launcher_turns_token_auth_on_everywhere(name):
    cfg = load(name)
    for key in ("head_start_ray_commands", "worker_start_ray_commands"):
        start = [c for c in cfg[key] if "ray start" in c]
        assert start and all("RAY_AUTH_MODE=token" in c for c in start), key
        token_dir = re.search(r"RAY_AUTH_TOKEN_PATH=\$HOME/(\S+)/auth_token", start[0]).group(1)
        assert f"~/{token_dir}" in cfg["file_mounts"], "the token directory is not synced"


def test_gcp_gpu_nodes_terminate_on_host_maintenance():
    for name, node_type in load("gcp-gpu.yaml")["available_node_types"].items():
        if node_type["resources"].get("GPU"):
            # An object, not a list (ray-project/ray#46248): GPU VMs cannot live-migrate.
            assert node_type["node_config"]["scheduling"]["onHostMaintenance"] == "TERMINATE", name


DELETE = object()


def _set(path: str, value):
    """A mutation that sets (or, with DELETE, removes) the dotted key `path` of a config."""
    def mutate(cfg):
        *parents, last = path.split(".")
        target = cfg
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return mutate


@pytest.mark.parametrize("name", LAUNCHERS)
@pytest.mark.parametrize("mutate, error, match", [
    (_set("max_worker", 3), jsonschema.ValidationError, "max_worker"),
    (_set("available_node_types.cpu.min_worker", 1), jsonschema.ValidationError, "min_worker"),
    (_set("available_node_types.cpu.resources.GPU", 0.5), jsonschema.ValidationError, "0.5"),
    (_set("available_node_types.cpu.resources", DELETE), jsonschema.ValidationError, "resources"),
    (_set("available_node_types.cpu.min_workers", 45), ValueError, "sum of `min_workers`"),
    (_set("head_node_type", "ray.head.default"), ValueError, "head_node_type"),
    # Ray accepts these two (it clamps); check_launcher rejects them.
    (_set("available_node_types.cpu.min_workers", 9), ValueError, "min_workers 9 > max_workers 8"),
    (_set("available_node_types.cpu.max_workers", 45), ValueError, "above the cluster's"),
], ids=["unknown-key", "unknown-node-type-key", "fractional-gpu", "no-resources",
        "min-above-global-max", "unknown-head-type", "min-above-type-max", "type-max-above-global"])
def test_launcher_validator_rejects_broken_copies(name, mutate, error, match):
    cfg = load(name)
    mutate(cfg)
    with pytest.raises(error, match=re.escape(match)):
        check_launcher(cfg)


# --- KubeRay ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", KUBERAY)
def test_kuberay_cluster_passes_rays_translation_and_validator(name):
    cluster_name, spec = ray_cluster_spec(name)
    assert spec["rayVersion"] == ray.__version__
    assert spec["headGroupSpec"]["template"]["spec"]["containers"]
    assert spec["enableInTreeAutoscaling"] is True
    assert spec["autoscalerOptions"]["idleTimeoutSeconds"] > 0
    assert spec["authOptions"]["mode"] == "token"
    config = autoscaling_config(cluster_name, spec)
    groups = {g["groupName"]: g for g in spec["workerGroupSpecs"]}
    for group_name, node_type in config["available_node_types"].items():
        if group_name in groups:  # Ray reads the GPU count from the nvidia.com/gpu limit
            assert node_type["resources"].get("GPU", 0) == gpu_limit(groups[group_name])
    gpus = sorted(gpu_limit(g) for g in groups.values())
    assert gpus[0] == 0 and 1 in gpus and 8 in gpus, gpus
    assert config["available_node_types"]["headgroup"]["resources"]["CPU"] == 0
    check_capacity(config["available_node_types"])


@pytest.mark.parametrize("name", KUBERAY)
def test_kuberay_pods_mount_the_shared_run_volume(name):
    claim = load("kuberay-storage.yaml")
    assert "ReadWriteMany" in claim["spec"]["accessModes"]
    _, spec = ray_cluster_spec(name)
    for group in [spec["headGroupSpec"], *spec["workerGroupSpecs"]]:
        pod = group["template"]["spec"]
        claims = {v["name"]: v["persistentVolumeClaim"]["claimName"]
                  for v in pod["volumes"] if "persistentVolumeClaim" in v}
        mounted = {m["name"] for m in ray_container(group)["volumeMounts"]}
        assert claim["metadata"]["name"] in {claims[m] for m in mounted if m in claims}


@pytest.mark.parametrize("mutate, match", [
    (lambda g: g.update(minReplicas=5, maxReplicas=2), "minReplicas 5 <= replicas"),
    (lambda g: g.update(replicas=40), "replicas 40 <= maxReplicas 32"),
    (lambda g: ray_container(g)["resources"]["limits"].pop("nvidia.com/gpu"), "no nvidia.com/gpu"),
    (lambda g: g.pop("maxReplicas"), "maxReplicas missing"),
], ids=["min-above-max", "replicas-above-max", "gpu-group-without-gpus", "no-max"])
def test_kuberay_checks_reject_broken_worker_groups(mutate, match):
    cluster_name, spec = ray_cluster_spec("kuberay-raycluster.yaml")
    mutate(next(g for g in spec["workerGroupSpecs"] if g["groupName"] == "gpu-l4"))
    with pytest.raises(ValueError, match=re.escape(match)):
        autoscaling_config(cluster_name, spec)


def test_rayjob_runs_a_valid_synth_pipeline_and_cleans_up():
    job = load("kuberay-rayjob.yaml")["spec"]
    command, subcommand, pipeline, *overrides = shlex.split(job["entrypoint"])
    assert (command, subcommand) == ("synth", "run")
    assert pipeline.startswith(IMAGE_HOME), "the pipeline path must point into the image"
    cfg = load_config(ROOT / pipeline.removeprefix(IMAGE_HOME), overrides)  # synth's validator
    assert cfg.ray.address == "auto"
    mounts = {m["mountPath"] for m in
              ray_container(job["rayClusterSpec"]["headGroupSpec"])["volumeMounts"]}
    assert any(cfg.run.output_dir.startswith(m) for m in mounts), "output_dir is not shared"
    assert isinstance(yaml.safe_load(job["runtimeEnvYAML"]), dict)
    assert job["shutdownAfterJobFinishes"] is True
    assert isinstance(job["ttlSecondsAfterFinished"], int) and job["ttlSecondsAfterFinished"] >= 0
    assert job["submissionMode"] in SUBMISSION_MODES


# --- images -----------------------------------------------------------------------------------


def cluster_images() -> list[tuple[str, str, bool]]:
    """(where, image, runs GPU work) for every image any cluster file names."""
    found = []
    for name in LAUNCHERS:
        cfg = load(name)
        for node, image in launcher_images(cfg).items():
            gpu = bool(cfg["available_node_types"][node]["resources"].get("GPU"))
            found.append((f"{name}:{node}", image, gpu))
    for name in KUBERAY:
        _, spec = ray_cluster_spec(name)
        found.append((f"{name}:head", ray_container(spec["headGroupSpec"])["image"], False))
        for group in spec["workerGroupSpecs"]:
            found.append((f"{name}:{group['groupName']}", ray_container(group)["image"],
                          gpu_limit(group) > 0))
    return found


def image_registry() -> str:
    """The one registry namespace all cluster files pull from (ghcr.io/OWNER as shipped)."""
    registries = {IMAGE.match(image)["registry"] for _, image, _ in cluster_images()
                  if IMAGE.match(image)}
    assert len(registries) == 1, registries
    return registries.pop()


def test_cluster_files_name_the_synth_images_at_the_package_version():
    flavors = set()
    for where, image, gpu in cluster_images():
        match = IMAGE.match(image)
        assert match, f"{where}: {image} is not REGISTRY/synth-{{gpu,cpu}}:TAG"
        assert match["registry"] == image_registry(), f"{where}: {image}"
        assert match["tag"] == synth_version(), f"{where}: {image}"
        assert match["flavor"] == "gpu" or not gpu, f"{where}: GPU work needs the GPU image"
        flavors.add(match["flavor"])
    assert flavors == {"gpu", "cpu"}


@pytest.mark.parametrize("flavor", ["gpu", "cpu"])
def test_images_build_what_the_cluster_files_pull(flavor):
    dockerfile = (ROOT / "docker" / f"Dockerfile.{flavor}").read_text()
    image = f"{image_registry()}/synth-{flavor}:{synth_version()}"
    build = f"docker build -f docker/Dockerfile.{flavor} -t {image} ."
    assert build in (CLUSTER / "README.md").read_text(), "cluster/README.md builds another tag"
    header = rf"docker build -f docker/Dockerfile\.{flavor} -t \S+/synth-{flavor}:(\S+) \."
    assert re.search(header, dockerfile)[1] == synth_version(), "the header builds another tag"
    ray_version = re.search(r"^ARG RAY_VERSION=(\S+)$", dockerfile, re.MULTILINE).group(1)
    assert ray_version == ray.__version__  # one Ray version on every node and on the client
    assert f"FROM rayproject/ray:${{RAY_VERSION}}-py311-{flavor}" in dockerfile
    assert f"WORKDIR {IMAGE_HOME.rstrip('/')}" in dockerfile
    # `ray up` starts the container as `docker run IMAGE bash`; an ENTRYPOINT would eat that.
    assert not re.search(r"^ENTRYPOINT", dockerfile, re.MULTILINE)
    if flavor == "cpu":
        assert re.search(r"^ARG TORCH_SPEC=", dockerfile, re.MULTILINE)
