for i in range(10):
    pass  # pretend to search
print('<<<7>>>')