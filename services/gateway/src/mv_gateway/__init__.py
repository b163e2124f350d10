"""mv_gateway"""
