"""An example onceonly adapter plugin: the Kōwhai KiwiSaver Scheme, told of a member's death.

Kept empty on purpose: onceonly reads the catalogue fragment (`kiwisaver_adapter.catalogue`)
in the workflow sandbox's shared modules, where adapter code (httpx) must not be imported.
"""
