"""What the registration's two serializers cost, fields copied the project's way against DRF's deep copy.

    python bench/serializer_fields.py                 # 2,000 calls a block, best of 7 blocks

No database: a registration's input validated (``RegistrationInputSerializer``) and a confirmed
registration rendered (``RegistrationOutputSerializer``), each by the API's classes
(``eventsite.serializers.Serializer``: plain fields copied shallowly) and by the same classes with
DRF's ``get_fields`` (every field deep-copied). Prints the CPU time per call, the best block of
each, so another process on the machine moves the figures less.
"""

import argparse
import copy
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventsite.settings")


def best_cpu_us(call, calls: int, blocks: int) -> float:
    best = float("inf")
    for _ in range(blocks):
        started = time.process_time()
        for _ in range(calls):
            call()
        best = min(best, (time.process_time() - started) / calls * 1e6)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--blocks", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from registrations.api import RegistrationInputSerializer, RegistrationOutputSerializer
    from registrations.models import Registration

    def deep_copied(serializer_class):
        return type(
            serializer_class.__name__,
            (serializer_class,),
            {"get_fields": lambda self: copy.deepcopy(self._declared_fields)},
        )

    registration = Registration(
        registration_id="REGBENCH01", event_id="EVT1", student_id="22CSE30001", status="confirmed", checkin_code="C0DE"
    )
    body = {"enrollment_no": "22CSE30001"}
    for label, input_class, output_class in (
        ("DRF deep copy", deep_copied(RegistrationInputSerializer), deep_copied(RegistrationOutputSerializer)),
        ("project", RegistrationInputSerializer, RegistrationOutputSerializer),
    ):

        def validate(input_class=input_class):
            given = input_class(data=body)
            given.is_valid(raise_exception=True)
            return given.validated_data

        input_us = best_cpu_us(validate, args.calls, args.blocks)
        output_us = best_cpu_us(
            lambda output_class=output_class: output_class(registration).data, args.calls, args.blocks
        )
        print(f"{label:>14}: input {input_us:5.1f} us, output {output_us:5.1f} us, both {input_us + output_us:5.1f} us")


if __name__ == "__main__":
    main()
