"""The embedded synthetic world: a model of YRD manufacturing firms (:mod:`yrd.synthetic.model`,
parameters in :mod:`yrd.synthetic.params`, geography in :mod:`yrd.synthetic.places`), its
assembly (:mod:`yrd.synthetic.world`) and the messy raw ASIF-like files written on top of the
true panel (:mod:`yrd.synthetic.raw`, firm identities in :mod:`yrd.synthetic.identity`), and its
calibration against real aggregates (:mod:`yrd.synthetic.calibration`)."""
