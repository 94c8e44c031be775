print(f"<<<{len('abracadabra')}>>>")
