import pytest

from skemotion import CKPLUS_EMOTIONS, canonical_emotion, parse_emotions
from skemotion._emotions import emotion_from_ckplus_code


def test_codes_follow_ckplus_order():
    assert CKPLUS_EMOTIONS.index("neutral") == 0
    assert CKPLUS_EMOTIONS.index("happy") == 5
    assert CKPLUS_EMOTIONS.index("surprise") == 7


@pytest.mark.parametrize(
    "name, expected",
    [("happy", "happy"), ("Happiness", "happy"), (" SAD ", "sadness"), ("angry", "anger")],
)
def test_canonical_emotion(name, expected):
    assert canonical_emotion(name) == expected


def test_unknown_emotion_lists_known_names():
    with pytest.raises(ValueError, match="Unknown emotion 'joyful'.*neutral, anger"):
        canonical_emotion("joyful")


def test_parse_emotions_string_and_sequence():
    assert parse_emotions("anger, happiness,happy") == ("anger", "happy")
    assert parse_emotions(["neutral", "surprised"]) == ("neutral", "surprise")
    assert parse_emotions(None) is None
    with pytest.raises(ValueError, match="empty"):
        parse_emotions(" , ")


@pytest.mark.parametrize("text, name", [("   3.0000000e+00", "disgust"), ("5", "happy"), (7.0, "surprise")])
def test_ckplus_codes(text, name):
    assert emotion_from_ckplus_code(text) == name


@pytest.mark.parametrize("text, match", [("", "not a number"), ("abc", "not a number"),
                                         ("9", "from 0 to 7"), ("2.5", "from 0 to 7"),
                                         ("nan", "from 0 to 7")])
def test_ckplus_bad_codes_name_the_file(text, match):
    with pytest.raises(ValueError, match=match) as info:
        emotion_from_ckplus_code(text, source="S005_001_00000011_emotion.txt")
    assert "S005_001_00000011_emotion.txt" in str(info.value)
