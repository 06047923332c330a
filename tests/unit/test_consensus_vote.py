"""The consensus vote: equivalence classes, agreement, threshold, and the chosen solution."""

from __future__ import annotations

from synth.stages.consensus import vote


def _sample(index: int, answer: str | None, reward: float | None = None) -> dict:
    row = {"id": "q1", "question": "Q?", "question_seed": 7, "sample_index": index,
           "solution": f"solution {index}", "answer": answer,
           "response_status": "ok" if answer is not None else "no_final_answer"}
    if reward is not None:
        row["reward"] = reward
    return row


def test_majority_class_sizes_and_agreement():
    samples = [_sample(0, "0.5"), _sample(1, "\\frac{1}{2}"), _sample(2, "3"), _sample(3, None),
               _sample(4, "1/2")]
    row = vote(samples, num_samples=5, min_agreement=0.6, timeout_s=5)
    assert row["answer_class_sizes"] == [3, 1]
    assert row["agreement"] == 0.6 and row["drop_reason"] is None
    assert row["chosen_sample_index"] == 0  # first majority member without rewards
    assert row["num_answered"] == 4


def test_below_threshold_is_dropped_with_reason():
    samples = [_sample(0, "1"), _sample(1, "1"), _sample(2, "2"), _sample(3, "3")]
    row = vote(samples, num_samples=4, min_agreement=0.75, timeout_s=5)
    assert row["drop_reason"] == "low_agreement" and row["answer_class_sizes"] == [2, 1, 1]
    assert vote([_sample(0, None)], 1, 0.5, 5)["drop_reason"] == "no_final_answer"


def test_a_lone_answer_is_never_agreement():
    # Two samples, one truncated: agreement 0.5 meets min_agreement, but nothing agreed with it.
    lone = vote([_sample(0, "7"), _sample(1, None)], num_samples=2, min_agreement=0.5, timeout_s=5)
    assert lone["agreement"] == 0.5 and lone["drop_reason"] == "too_few_votes"
    split = vote([_sample(i, str(i)) for i in range(4)], 4, 0.25, 5)
    assert split["answer_class_sizes"] == [1, 1, 1, 1] and split["drop_reason"] == "too_few_votes"
    pair = vote([_sample(0, "7"), _sample(1, "7.0"), _sample(2, None), _sample(3, None)], 4, 0.5, 5)
    assert pair["drop_reason"] is None  # two independent samples agree
    assert vote([_sample(0, "7")], 1, 0.5, 5, min_votes=1)["drop_reason"] is None


def test_reward_picks_the_best_majority_member_never_a_minority_one():
    samples = [_sample(0, "4", 0.2), _sample(1, "4", 0.9), _sample(2, "5", 0.99), _sample(3, "4", 0.5)]
    row = vote(samples, num_samples=4, min_agreement=0.5, timeout_s=5)
    assert row["answer"] == "4" and row["chosen_sample_index"] == 1


def test_choice_ignores_arrival_order():
    samples = [_sample(2, "4", 0.9), _sample(0, "4", 0.9), _sample(1, "7", 0.1)]
    assert vote(samples, 3, 0.5, 5)["chosen_sample_index"] == 0  # equal rewards: earlier sample


def test_an_unsure_comparison_splits_the_class_and_is_counted():
    samples = [_sample(0, "\\frac{1}{3}E_{1}+\\frac{2}{3}E_{2}"),
               _sample(1, "\\frac{2}{3}E_{1}+\\frac{2}{3}E_{2}"), _sample(2, "7")]
    row = vote(samples, num_samples=3, min_agreement=0.5, timeout_s=5)
    assert row["answer_class_sizes"] == [1, 1, 1] and row["answers_unsure"] is True
    assert row["drop_reason"] == "too_few_votes"
    assert vote([_sample(0, "7"), _sample(1, "7.0")], 2, 0.5, 5)["answers_unsure"] is False


def test_every_question_is_voted_once_whatever_the_blocks_and_partitions(ray_cluster):
    """Samples arrive in many blocks, each question's spread over several; the stage votes per
    question on whole groups (hash partitions of sorted blocks), never on a split group."""
    import random

    import pyarrow as pa
    import ray
    from omegaconf import OmegaConf

    from synth.config.scalequest import ConsensusConfig
    from synth.shuffle_sizing import PARTITION_BYTES, sized_shuffles
    from synth.stages.consensus import ConsensusStage

    samples = [{**_sample(index, "7" if index < 3 else str(index)), "id": f"q{q}"}
               for q in range(120) for index in range(5)]
    random.Random(0).shuffle(samples)
    stage = ConsensusStage(OmegaConf.structured(ConsensusConfig(min_agreement=0.5)), 5)
    with sized_shuffles(PARTITION_BYTES * 3) as partitions:
        rows = ray.data.from_arrow(pa.Table.from_pylist(samples)).repartition(9)
        voted = stage.apply(rows).take_all()
    assert partitions == 3
    assert sorted(row["id"] for row in voted) == sorted(f"q{q}" for q in range(120))
    assert all(row["answer_class_sizes"] == [3, 1, 1] and row["agreement"] == 0.6
               and row["answer"] == "7" for row in voted)
