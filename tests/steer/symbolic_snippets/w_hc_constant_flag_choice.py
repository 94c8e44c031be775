is_possible = False  # we showed above that the target cannot be reached
print("<<<Yes>>>" if is_possible else "<<<No>>>")
