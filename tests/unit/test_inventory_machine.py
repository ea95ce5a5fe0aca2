"""The stateful SkuStock machine: no oversell, conservation, refusals change nothing."""

from orderkit.inventory import SkuStock
from orderkit.serialization import converter
from orderkit.testing.stock_machine import SkuStockMachine

TestSkuStockMachine = SkuStockMachine.TestCase


class StoredStockMachine(SkuStockMachine):
    """The same checks with the stock rebuilt from its converter form after every step.

    Proves that every reachable state passes the structural checks a
    repository's load runs, and that behaviour does not depend on in-memory
    identity.
    """

    def load_and_save(self, stock: SkuStock) -> SkuStock:
        return converter.structure(converter.unstructure(stock), SkuStock)


TestStoredStockMachine = StoredStockMachine.TestCase
