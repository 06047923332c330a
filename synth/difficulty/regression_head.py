"""The difficulty scorer's model: a base LM with a one-output regression head, trained by MSE.

`AutoModelForSequenceClassification(num_labels=1, problem_type="regression")` reads a question
and predicts the fail rate of the solver the labels came from (ScaleQuest trains it on GSM8K
and MATH train questions). The result is a standard Hugging Face checkpoint (config, weights,
tokenizer) that `synth.difficulty.scorer` and any other HF tool load back.

On CPU the base is the packaged SmolLM2 GGUF, dequantised by transformers; `num_layers` keeps
only its first decoder layers and `trainable_layers` freezes all but the last few, so a small
labelled set trains in minutes. On GPU, leave both unset and fine-tune the whole model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from synth.engines.transformers_engine import checkpoint_location


def load_regression_model(model: str, num_layers: int | None = None) -> tuple[Any, Any]:
    """(tokenizer, float32 one-output regression model) from a packaged GGUF name or a
    checkpoint dir; `num_layers` keeps only the first decoder layers."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer, GgufConfig

    location = checkpoint_location(model)
    tokenizer = AutoTokenizer.from_pretrained(**location)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    extra: dict[str, Any] = {} if num_layers is None else {"num_hidden_layers": num_layers}
    if "gguf_file" in location:
        # Without dequantize=True transformers keeps a GGUF quantizer on the model, which
        # refuses both training and save_pretrained.
        extra["quantization_config"] = GgufConfig(gguf_file=location["gguf_file"],
                                                  dequantize=True)
    regression = AutoModelForSequenceClassification.from_pretrained(
        **location, num_labels=1, problem_type="regression", dtype=torch.float32, **extra)
    # The head pools the last non-pad token, so it must know which token pads a batch.
    regression.config.pad_token_id = tokenizer.pad_token_id
    return tokenizer, regression


def freeze_all_but_last(model: Any, trainable_layers: int | None) -> None:
    """Train only the head, the final norm and the last `trainable_layers` decoder layers
    (None trains everything)."""
    if trainable_layers is None:
        return
    for parameter in model.parameters():
        parameter.requires_grad = False
    decoder = model.base_model
    trainable = [model.score, decoder.norm,
                 *(decoder.layers[-trainable_layers:] if trainable_layers else [])]
    for module in trainable:
        for parameter in module.parameters():
            parameter.requires_grad = True


def predict(model: Any, tokenizer: Any, questions: list[str], max_length: int,
            batch_size: int = 16) -> list[float]:
    """Predicted difficulty of each question, in input order."""
    import torch

    device = next(model.parameters()).device
    order = sorted(range(len(questions)), key=lambda i: len(questions[i]))  # less padding
    predictions = [0.0] * len(questions)
    model.eval()
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            inputs = tokenizer([questions[i] for i in chunk], return_tensors="pt", padding=True,
                               truncation=True, max_length=max_length).to(device)
            for index, value in zip(chunk, model(**inputs).logits[:, 0].float().tolist()):
                predictions[index] = value
    return predictions


def train_regression_head(questions: list[str], labels: list[float], config: DictConfig,
                          seed: int) -> tuple[Any, Any, list[float]]:
    """(tokenizer, trained model, mean loss per epoch) after MSE training on (question, label)."""
    import torch

    torch.manual_seed(seed)  # the head's initial weights
    tokenizer, model = load_regression_model(config.base_model, config.num_layers)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device)
    freeze_all_but_last(model, config.trainable_layers)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad],
                                  lr=config.learning_rate)
    shuffler = torch.Generator().manual_seed(seed)
    epoch_losses = []
    model.train()
    for _ in range(config.epochs):
        order = torch.randperm(len(questions), generator=shuffler).tolist()
        total = 0.0
        for start in range(0, len(order), config.batch_size):
            chunk = order[start:start + config.batch_size]
            inputs = tokenizer([questions[i] for i in chunk], return_tensors="pt", padding=True,
                               truncation=True, max_length=config.max_length).to(device)
            targets = torch.tensor([labels[i] for i in chunk], dtype=torch.float32, device=device)
            loss = model(**inputs, labels=targets).loss  # MSE: problem_type="regression"
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            total += loss.item() * len(chunk)
        epoch_losses.append(total / len(questions))
    return tokenizer, model, epoch_losses


def save_checkpoint(tokenizer: Any, model: Any, max_length: int, directory: Path) -> Path:
    """Write a standard HF checkpoint; the tokenizer remembers `max_length` for the scorer."""
    tokenizer.model_max_length = max_length
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
