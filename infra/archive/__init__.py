"""Case files for the archive (issue 18): one ZIP per appeal, its history, files and chain proof."""
