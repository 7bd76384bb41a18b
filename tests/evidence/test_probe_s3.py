"""Audio/video on S3-compatible storage (the local moto server): ffprobe/ffmpeg read the
object through a presigned URL, and the viewer streams ranges of it."""

from __future__ import annotations

from django.test import Client

from zhifa.evidence.models import ProbeState
from zhifa.evidence.probe import probe_file

from .factories import a_case, item, make_video, stored
from .s3server import s3, s3_endpoint  # noqa: F401  (fixtures)


def test_video_in_the_bucket_is_analysed_and_streamed(a, s3, tmp_path) -> None:  # noqa: F811
    data = make_video(tmp_path / "v.mp4").read_bytes()
    f = stored(a, item(a, a_case(a)), data, "v.mp4")
    assert f.blob.storage == "s3"
    record = probe_file(f.pk)
    assert record is not None and record.probe_state == ProbeState.DONE
    assert abs(record.duration_ms - 2000) <= 100
    poster = record.poster
    assert poster is not None and poster.storage == "s3" and s3.exists(poster.key)
    assert b"".join(s3.iter_range(poster.key, 0, 1)) == b"\xff\xd8"
    c = Client()
    c.force_login(a.u_officer)
    response = c.get(f"/evidence/files/{f.public_id}/content", HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == data[100:200]
    assert response["Content-Range"] == f"bytes 100-199/{len(data)}"
