"""One network, its optimizer, its data and its averages: the training step and epoch of train.py.
Every random draw of epoch e (shuffle, augmentation, dropout) comes from generators seeded with
(seed, e), so a resumed run is the run it would have been."""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from training.emotion import distill, recipe, scoring


class Trainer:
    """One network, its optimizer and data; `epoch(e)` trains epoch e from its own seeds."""

    def __init__(self, args, x_train, y_train, device, precision):
        self.args, self.device, self.precision = args, device, precision
        # y_train: class indices, or (FER+) a target distribution a row
        self.x, self.y = x_train, y_train
        torch.manual_seed(args.seed)
        self.net = recipe.build_net(args.widths, args.dense, args.dropout, classes=len(args.labels))
        if args.init:
            self.net.load_state_dict(distill.load_init(args).state_dict())
        self.net = self.net.to(device)
        self.net = self.net.to(memory_format=torch.channels_last)
        self.opt = torch.optim.SGD(self.net.parameters(), lr=args.lr, momentum=args.momentum,
                                   nesterov=True, weight_decay=args.weight_decay)
        self.augment = recipe.Augment(erase_prob=args.erase_prob,
                                      scale_range=tuple(args.scale_range or (0.85, 1.15)))
        self.steps_per_epoch = math.ceil(len(self.y) / args.batch_size)
        self.total_steps = self.steps_per_epoch * args.epochs
        self.swa = None  # the running average of the weights, from the first SWA epoch on
        self.ema = torch.optim.swa_utils.AveragedModel(
            self.net, multi_avg_fn=torch.optim.swa_utils.get_ema_multi_avg_fn(args.ema),
            use_buffers=True) if args.ema else None
        self.teacher = None
        if args.teacher:
            nets = [distill.load_teacher(t) for t in args.teacher]
            self.teacher = distill.Teachers(nets, args.teacher_flip).to(device).eval()

    def lr_at(self, step_index: int) -> float:
        if step_index >= self.total_steps:
            return self.args.swa_lr
        return recipe.one_cycle(step_index, self.total_steps, self.args.lr, self.args.warmup)

    def average(self):
        """Adds the current weights to the average and refreshes its batch-norm statistics."""
        if self.swa is None:
            self.swa = torch.optim.swa_utils.AveragedModel(self.net)
        self.swa.update_parameters(self.net)
        recipe.refresh_batch_norm(self.swa.module, self.x, self.device, self.precision == "bf16")

    def batches(self, epoch: int):
        g = torch.Generator().manual_seed(self.args.seed * 100_003 + epoch)
        order = torch.randperm(len(self.y), generator=g)
        for i in range(self.steps_per_epoch):
            idx = order[i * self.args.batch_size:(i + 1) * self.args.batch_size]
            x = torch.from_numpy(self.x[idx.numpy()]).float().div_(255).unsqueeze(1)
            y = torch.from_numpy(self.y[idx.numpy()])
            x, y = self.augment(x, g), (y.float() if y.dim() == 2 else y.long())
            yield recipe.mixup(x, y, self.args.mixup, len(self.args.labels), g) if self.args.mixup else (x, y)

    def step(self, x, y, step_index: int) -> float:
        lr = self.lr_at(step_index)
        for group in self.opt.param_groups:
            group["lr"] = lr
        x = x.to(self.device).contiguous(memory_format=torch.channels_last)
        y = y.to(self.device)
        bf16 = self.precision == "bf16"
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=bf16):
            logits = self.net(x)
            # A (N, classes) float target is a distribution (FER+ votes): cross-entropy against it.
            loss = F.cross_entropy(logits.float() if y.dim() == 2 else logits, y,
                                   label_smoothing=self.args.label_smoothing)
        if self.teacher is not None:
            with torch.no_grad(), torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=bf16):
                target = self.teacher(x).float()
            loss = (1 - self.args.distill_weight) * loss + self.args.distill_weight * distill.distillation_loss(
                logits.float(), target, self.args.distill_temperature)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        if self.ema is not None:
            self.ema.update_parameters(self.net)
        return float(loss.detach())

    def epoch(self, e: int) -> float:
        torch.manual_seed(self.args.seed * 100_003 + e + 50_000)  # dropout
        self.net.train()
        losses = [self.step(x, y, e * self.steps_per_epoch + i) for i, (x, y) in enumerate(self.batches(e))]
        return float(np.mean(losses))

    def probabilities(self, x_uint8: np.ndarray, flip: bool = False, net=None) -> np.ndarray:
        return scoring.probabilities(net if net is not None else self.net, x_uint8, flip, self.device,
                                     channels_last=True)

    def state(self):
        return {"net": self.net.state_dict(), "opt": self.opt.state_dict(),
                "swa": self.swa.state_dict() if self.swa is not None else None,
                "ema": self.ema.state_dict() if self.ema is not None else None}

    def load(self, state):
        self.net.load_state_dict(state["net"])
        self.opt.load_state_dict(state["opt"])
        if state.get("swa") is not None:
            self.swa = torch.optim.swa_utils.AveragedModel(self.net)
            self.swa.load_state_dict(state["swa"])
        if self.ema is not None:  # --ema is part of the run's definition: the state has it
            self.ema.load_state_dict(state["ema"])

