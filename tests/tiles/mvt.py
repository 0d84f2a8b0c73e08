"""A reader for the little of Mapbox Vector Tile 2.1 the tests look at: layers, features, ids,
properties and point positions. MVT is protobuf; this reads the wire format directly.
"""

import struct
from dataclasses import dataclass, field

VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5
# vector_tile.proto field numbers.
TILE_LAYERS = 3
LAYER_NAME, LAYER_FEATURES, LAYER_KEYS, LAYER_VALUES, LAYER_EXTENT = 1, 2, 3, 4, 5
FEATURE_ID, FEATURE_TAGS, FEATURE_TYPE, FEATURE_GEOMETRY = 1, 2, 3, 4
POINT = 1


@dataclass
class Feature:
    id: int | None
    type: int
    properties: dict
    geometry: list[int]  # the raw command integers

    @property
    def point(self) -> tuple[int, int]:
        """A point feature's position in tile units (its MoveTo command's zigzag deltas)."""
        assert self.type == POINT and self.geometry[0] == (1 << 3) | 1, self.geometry
        return _zigzag(self.geometry[1]), _zigzag(self.geometry[2])


@dataclass
class Layer:
    name: str = ""
    extent: int = 4096
    features: list[Feature] = field(default_factory=list)


def read_tile(data: bytes) -> dict[str, Layer]:
    """The tile's layers by name."""
    layers = (_layer(body) for number, body in _fields(data) if number == TILE_LAYERS)
    return {layer.name: layer for layer in layers}


def _layer(data: bytes) -> Layer:
    layer, keys, values, raw_features = Layer(), [], [], []
    for number, body in _fields(data):
        if number == LAYER_NAME:
            layer.name = body.decode()
        elif number == LAYER_EXTENT:
            layer.extent = body
        elif number == LAYER_KEYS:
            keys.append(body.decode())
        elif number == LAYER_VALUES:
            values.append(_value(body))
        elif number == LAYER_FEATURES:
            raw_features.append(body)
    layer.features = [_feature(body, keys, values) for body in raw_features]
    return layer


def _feature(data: bytes, keys: list[str], values: list) -> Feature:
    feature = Feature(id=None, type=0, properties={}, geometry=[])
    for number, body in _fields(data):
        if number == FEATURE_ID:
            feature.id = body
        elif number == FEATURE_TYPE:
            feature.type = body
        elif number == FEATURE_TAGS:
            tags = _packed(body)
            feature.properties = {
                keys[tags[i]]: values[tags[i + 1]] for i in range(0, len(tags), 2)
            }
        elif number == FEATURE_GEOMETRY:
            feature.geometry = _packed(body)
    return feature


def _value(data: bytes):
    # Value: 1 string, 2 float, 3 double, 4 int64, 5 uint64, 6 sint64, 7 bool.
    ((number, body),) = _fields(data)
    decoders = {
        1: bytes.decode,
        2: lambda raw: struct.unpack("<f", raw)[0],
        3: lambda raw: struct.unpack("<d", raw)[0],
        4: lambda raw: raw - (1 << 64) if raw >= 1 << 63 else raw,
        5: int,
        6: _zigzag,
        7: bool,
    }
    return decoders[number](body)


def _fields(data: bytes) -> list[tuple[int, object]]:
    """(field number, value) pairs: ints for varints, bytes otherwise."""
    fields, position = [], 0
    while position < len(data):
        key, position = _varint(data, position)
        number, wire_type = key >> 3, key & 7
        if wire_type == VARINT:
            value, position = _varint(data, position)
        elif wire_type == LENGTH_DELIMITED:
            length, position = _varint(data, position)
            value, position = data[position : position + length], position + length
        else:
            size = {FIXED64: 8, FIXED32: 4}[wire_type]
            value, position = data[position : position + size], position + size
        fields.append((number, value))
    return fields


def _packed(data: bytes) -> list[int]:
    numbers, position = [], 0
    while position < len(data):
        number, position = _varint(data, position)
        numbers.append(number)
    return numbers


def _varint(data: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, position


def _zigzag(number: int) -> int:
    return (number >> 1) ^ -(number & 1)
