print(f"<<<{''.join(sorted(set('banana')))}>>>")
