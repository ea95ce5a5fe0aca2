"""The stateful SkuStock machine: no oversell, conservation, refusals change nothing."""

from orderkit.testing.stock_machine import SkuStockMachine

TestSkuStockMachine = SkuStockMachine.TestCase
