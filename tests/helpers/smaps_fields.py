# smaps_fields.py - the smaps fields mapsnap stores per mapping, lower-case
# and in order, as the mappings table and export name their columns: written
# out here, not read from the code, so that the tests check the code.
FIELDS = ["size", "kernelpagesize", "mmupagesize", "rss", "pss", "pss_dirty",
          "pss_anon", "pss_file", "pss_shmem", "shared_clean", "shared_dirty",
          "private_clean", "private_dirty", "referenced", "anonymous", "ksm",
          "lazyfree", "anonhugepages", "shmempmdmapped", "filepmdmapped",
          "shared_hugetlb", "private_hugetlb", "swap", "swappss", "locked",
          "thpeligible", "protectionkey"]
