"""mv_test_runner"""
