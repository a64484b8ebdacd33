"""The course: one entry per section of the lecture notes, in the notes' order.

The base layout's navigation and the lesson pages both read this list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    number: int
    slug: str
    title: str
    summary: str

    @property
    def url(self) -> str:
        return f"/lessons/{self.slug}/"


COURSE: list[Section] = [
    Section(
        1,
        "maximum-likelihood",
        "Neural networks and maximum likelihood",
        "What a feed-forward network is, and why maximum likelihood gives the cross-entropy "
        "and squared-error losses.",
    ),
    Section(
        2,
        "forward-propagation",
        "Forward propagation",
        "Weighted sums u and activations a, layer by layer, from the input to the output.",
    ),
    Section(
        3,
        "back-propagation",
        "Back propagation",
        "The deltas dE/du flow backwards and give the gradient of every weight and bias.",
    ),
    Section(
        4,
        "sgd",
        "SGD and mini-batches",
        "Gradient steps on one sample, on a mini-batch of m samples, and on the whole set.",
    ),
    Section(
        5,
        "why-cnns",
        "Why CNNs",
        "Images have too many pixels for dense layers; locality and shared weights help.",
    ),
    Section(
        6,
        "convolution",
        "Convolution",
        "A small kernel slides over the image: feature maps, stride, padding and channels.",
    ),
    Section(
        7,
        "activations",
        "Activations",
        "Sigmoid, tanh, ReLU and leaky ReLU, and how their slopes shape learning.",
    ),
    Section(
        8,
        "pooling",
        "Pooling",
        "Max and average pooling shrink feature maps and route gradients back.",
    ),
    Section(
        9,
        "fully-connected",
        "Fully connected layers and flattening",
        "Flattening feature maps into a vector that dense layers turn into class scores.",
    ),
    Section(
        10,
        "mask-rcnn",
        "Mask R-CNN",
        "Region proposals, RoI features, boxes, classes and a mask for every object.",
    ),
]

SECTIONS_BY_SLUG: dict[str, Section] = {section.slug: section for section in COURSE}
