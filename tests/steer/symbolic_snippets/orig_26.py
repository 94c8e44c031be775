def helper():
    return 5
print('<<<5>>>')