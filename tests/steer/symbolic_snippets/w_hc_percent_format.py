answer = 42
print("<<<%d>>>" % answer)
