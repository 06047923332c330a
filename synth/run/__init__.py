"""A run's directory and what the runner keeps in it, one module each:

    directory      the layout (config, stages/, final/, report/, errors/, requests/, logs/,
                   graph/, eval/, qpo_pairs/, ray_train/), completion markers, resume and
                   growth; `RunDirectory.for_config(cfg)` for `synth run`, `graph`, `eval` and
                   `train qft|qpo` (`train difficulty` writes only its checkpoint folder)
    storage        local paths and object-storage URIs (s3://, gs://) behind one Path type
    stage_counts   a finished stage's record: rows kept, drop reasons, tokens, requests
    error_table    the rows an engine could not answer, per stage
    summary        summary.json: every stage's record, tokens by role, totals
    console_summary  the one screen `synth run` prints at the end
"""
