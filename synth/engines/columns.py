"""Bookkeeping columns that every model role's answered rows carry, whatever the model does.

The runner sums and counts them per stage (run/stage_counts.py) and strips them before the next
stage reads the rows, so they live apart from any one engine or scorer.
"""

# Per-row shares of the worker's measured CPU/GPU time, summed into summary.json.
ENGINE_CPU_COLUMN = "_engine_cpu_s"
ENGINE_GPU_COLUMN = "_engine_gpu_s"
# The Ray node whose replica answered the row; the stage record counts rows per node.
ENGINE_NODE_COLUMN = "_engine_node"
# A request's content key (request_replay.py): what the run's store and the attempt ledger know it by.
REQUEST_KEY = "_request_key"
