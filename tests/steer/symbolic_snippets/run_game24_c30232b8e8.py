def find_sum_of_multiples(num_list):
    return sum(num_list[:num_list.count(10)] + [num_list[num_list.count(10)] * 11 for num_list in num_list[:num_list.count(10)]])

print(find_sum_of_multiples([7, 3, 7, 10, 10, 11, 13, 11, 13, 11, 11]))
