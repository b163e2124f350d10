"""mv_spec_analyzer"""
