import type { GasModel } from '@appchain/core'

/**
 * Makes a model's `admitSync`, `upfrontSync` and `chargeSync` non-enumerable, so that `{ ...model, upfront: custom }`
 * drops them with the method it replaces: a spread that kept them would let a VM bypass the new `upfront`
 * (a VM calls the sync variant first). Reading them (`model.upfrontSync`, a wrapper asking its inner model)
 * works as before. Returns the same object.
 *
 * @example
 * ```ts
 * const model = hideSyncVariants({ ...fields, upfrontSync, chargeSync })
 * const custom = { ...model, upfront: myUpfront } // no upfrontSync: the VM awaits myUpfront
 * ```
 */
export function hideSyncVariants<M extends GasModel>(model: M): M {
  for (const key of ['admitSync', 'upfrontSync', 'chargeSync'] as const) {
    if (Object.hasOwn(model, key)) Object.defineProperty(model, key, { enumerable: false })
  }
  return model
}
