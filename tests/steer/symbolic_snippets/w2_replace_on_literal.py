s = "ab_cd_ef"
print(f"<<<{s.replace('_', '')}>>>")
