"""mv_pod_watcher"""
