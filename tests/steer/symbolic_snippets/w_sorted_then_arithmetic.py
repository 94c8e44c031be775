scores = sorted([88, 92, 79, 95, 85])
# drop the lowest and the highest, average the rest
trimmed_mean = (scores[1] + scores[2] + scores[3]) / 3
print(f"<<<{trimmed_mean:.2f}>>>")
